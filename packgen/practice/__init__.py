"""Reading the practice: its config (YAML, with the files it extends), its dates, and the schedule and log sheets computed from them. Nothing here renders."""

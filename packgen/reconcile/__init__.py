"""Reading scans back: the machine-readable parts of the sheets, and `packgen reconcile`."""

"""packgen: printable cut-over packs for GP practices changing clinical system."""

__version__ = "0.1.0"

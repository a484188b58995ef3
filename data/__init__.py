"""The committed tables of data/, installed with the package as ``densing.data_files``."""

"""Files: reading users' tables by explicit CSV rules, and writing our outputs safely.

``tables`` reads CSV/Parquet (separator, decimal comma, NA markers, R row names) and writes
tables; ``outputs`` checks an output before any work and writes it atomically, never over a
file we did not write.
"""

from synthspectrum.io.tables import cast_like, read_data, read_table, write_table

__all__ = ["read_table", "write_table", "read_data", "cast_like"]

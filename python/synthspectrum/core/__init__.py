"""The column core every wing shares: frame types in and out, column kinds, the number policy,
category levels, the real/synthetic pair check and the tidy measure frame.

Nothing here knows about metasyn, R, a measure or a report; everything else builds on it.
"""

"""Metadata synthesis with metasyn: prepare the data, fit and save the model (a GMF file),
fit each column in a time-limited worker, and audit what the model file discloses. The
rounded whole-number normals are a metasyn plugin of ours (``distributions``); a long draw is
defined block by block so that it can be written as it is drawn (``blocks``).
"""

from synthspectrum.metadata.audit import audit, format_audit
from synthspectrum.metadata.model import MetadataModel, fit_metadata, load

__all__ = ["MetadataModel", "fit_metadata", "load", "audit", "format_audit"]

"""Open data of a published decision: ``write_export(call, directory)`` writes the CSV/JSON files,
the 360Giving grants, the DCAT-AP.de catalogue, the stand-alone recomputation script, a README,
the manifest and the checksums. See docs/open-data.md."""

from oglabs.transparency.opendata.collect import NoDecision, NotPublished
from oglabs.transparency.opendata.export import FILES, Export, download_url, fingerprint, write_export

__all__ = ["FILES", "Export", "NoDecision", "NotPublished", "download_url", "fingerprint", "write_export"]

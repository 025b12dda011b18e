"""The corpus manifest (INDEX.md and its JSON form): its data, rendered and parsed back exactly."""

from cleaner.manifest.model import Entry, IndexSettings, Manifest, ManifestError, is_manifest, load_manifest

__all__ = ["Entry", "IndexSettings", "Manifest", "ManifestError", "is_manifest", "load_manifest"]

"""The Python API for what the command line does: clean texts or records, find near-duplicates.

Everything here takes plain Python values (strings, dicts, lists) so that it fits into whatever
already holds the corpus: a list, a generator of JSONL records, a pandas column, a Hugging Face
``datasets.map``.  The command line runs the same code (:func:`cleaner.pipeline.clean_stream`,
:class:`cleaner.dedup.cluster.Deduplicator`), so the results are the same.

>>> [d.text for d in clean_stream(["Advertisement\\nThe talks went on."])]
['The talks went on.']
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from cleaner.corpus import Repeats
from cleaner.document import Document, as_documents
from cleaner.errors import InputError
from cleaner.pipeline import clean_stream
from cleaner.settings import Settings


def clean_records(
    records: Iterable[Mapping[str, Any]],
    settings: Settings | None = None,
    jobs: int = 1,
    text_key: str = "text",
    id_key: str = "id",
    findings: bool = True,
    edits: str = "full",
) -> Generator[dict[str, Any], None, None]:
    """Clean records and yield them as ``cleaner clean -o out.jsonl`` writes them.

    Every field comes back as it came, in its order, with ``text_key`` cleaned; with ``findings``
    (the default) the key ``"cleaner"`` holds what the cleaner found and did (source, language,
    flags, edits), as in the command line's JSONL output; ``edits`` as ``--edits`` says: ``"full"``
    (every edit), ``"codes"`` (``edit_counts``, the number per rule code) or ``"none"``.
    """
    from cleaner.io.writers import output_record, same_shape_record

    for doc in clean_stream(records, settings, jobs=jobs, text_key=text_key, id_key=id_key):
        yield output_record(doc, text_key, id_key, edits) if findings else same_shape_record(doc, text_key, id_key)


@dataclass(frozen=True)
class Verdict:
    """One document's place among near-duplicates, as ``cleaner dedup -o`` writes it.

    ``cluster`` is the id of the document its cluster keeps; ``keep`` whether it is that
    document; ``similarity`` and ``containment`` its estimated Jaccard with the kept document and
    the containment of the smaller in the larger (1.0 for a kept document).
    """

    id: str
    cluster: str
    keep: bool
    similarity: float
    containment: float

    def to_dict(self) -> dict[str, Any]:
        """The verdict as the JSONL record of ``cleaner dedup -o``."""
        return asdict(self)


def find_duplicates(
    items: Iterable[str | Mapping[str, Any] | Document],
    settings: Settings | None = None,
    jobs: int = 1,
    text_key: str = "text",
    id_key: str = "id",
) -> list[Verdict]:
    """Near-duplicate clusters of texts or records, one :class:`Verdict` per item, in order.

    As ``cleaner dedup`` does: each text is cleaned first, the lines the collection repeats (a
    site's template) are left out of the comparison, then documents are signed (MinHash) and
    clustered (LSH, verified by Jaccard or containment).  ``settings`` carries the thresholds and
    the keep policy (``Settings(keep="first")``).  Ids must be unique.
    """
    from cleaner.dedup.cluster import Deduplicator

    s = settings or Settings()
    docs = list(as_documents(items, text_key, id_key))
    seen: set[str] = set()
    for d in docs:
        if d.id in seen:
            raise InputError(f"{d.source}: id {d.id!r} is given twice; ids must be unique")
        seen.add(d.id)
    table = Repeats().add_all(docs) if s.ruleset().repeats else None
    dedup = Deduplicator(s.params, threshold=s.threshold, containment_threshold=s.containment)
    for doc in clean_stream(docs, s, jobs=jobs, repeats=table):
        dedup.add_text(doc.id, doc.text)
    return [
        Verdict(dedup.ids[a.index], dedup.ids[a.kept], a.keep, a.similarity, a.containment)
        for a in dedup.assign(s.keep)
    ]

"""``cleaner`` inside a datatrove pipeline: a cleaning step and a near-duplicate filter.

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from cleaner.integrations.datatrove import CleanerStep, NearDuplicateFilter

    LocalPipelineExecutor(
        [JsonlReader("raw/"), CleanerStep(), NearDuplicateFilter(), JsonlWriter("clean/")], tasks=4
    ).run()

Needs the extra ``cleaner[datatrove]``.  :class:`CleanerStep` runs the same :class:`cleaner.Cleaner`
as ``cleaner clean``: the text of each datatrove ``Document`` is replaced by the cleaned text and
``metadata["cleaner"]`` holds what was found and done (language, flags, and by default the
number of edits per rule code, as ``cleaner clean --edits codes`` writes them), which datatrove's
writers keep.  Documents left empty are dropped and counted (``dropped_empty``).  datatrove
gives each task a share of the files; the corpus-evidence rule (CE001, lines a site repeats),
which needs the whole corpus first, does not run inside a step: use ``cleaner clean`` for it.

:class:`NearDuplicateFilter` drops a document that is a near-duplicate of one that came before it
in the same task (``cleaner dedup --keep first``'s verdict, streaming: a document that links
two earlier clusters is dropped, the earlier documents were already passed on).  It sees one
task's documents: for near-duplicates across tasks use one task, or ``cleaner dedup`` over the
output, or datatrove's own multi-stage MinHash deduplication.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

try:
    from datatrove.data import Document as DatatroveDocument
    from datatrove.pipeline.base import PipelineStep
    from datatrove.pipeline.filters.base_filter import BaseFilter
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("cleaner.integrations.datatrove needs datatrove: pip install 'cleaner[datatrove]'") from exc

from cleaner.document import Document
from cleaner.io.writers import EDITS_MODES, NAMESPACE, findings
from cleaner.settings import Settings


def _findings(doc: Document, edits: str) -> dict[str, Any]:
    """``cleaner clean -o out.jsonl``'s findings (without ``source``: datatrove's metadata says where)."""
    found = findings(doc, edits)
    del found["source"]
    return found


class CleanerStep(PipelineStep):
    """Clean each document's text with ``cleaner``'s rules; record the findings in its metadata.

    ``settings``: the rule selection and options (:class:`cleaner.Settings`), the defaults of
    ``cleaner clean`` when omitted.  ``edits``: as ``cleaner clean --edits``: ``"codes"`` (the
    default: ``edit_counts``, the number of edits per rule code), ``"full"`` (``edits``, every edit,
    replayable with :func:`cleaner.apply_edits` on the input text) or ``"none"``.  ``drop_empty``:
    drop documents whose cleaned text is empty.
    """

    name = "🧹 cleaner"
    type = "✂️ - FORMAT"

    def __init__(self, settings: Settings | None = None, edits: str = "codes", drop_empty: bool = True) -> None:
        super().__init__()
        if edits not in EDITS_MODES:
            raise ValueError(f"edits must be one of {', '.join(EDITS_MODES)}, not {edits!r}")
        self.settings = settings or Settings()
        self.edits = edits
        self.drop_empty = drop_empty

    def run(self, data: Iterator[DatatroveDocument], rank: int = 0, world_size: int = 1) -> Iterator[DatatroveDocument]:
        """Each document cleaned (its text replaced, its findings in ``metadata``); emptied ones dropped."""
        from cleaner.pipeline import Cleaner

        cleaner = Cleaner(self.settings)  # built in the task's own process, once per task
        for doc in data:
            self.stat_update("total")
            with self.track_time():
                # the metadata is the record: a rule limited to some sources reads its url
                done = cleaner.clean(Document(str(doc.id), doc.text, record=doc.metadata))
            for code, n in Counter(e.code for e in done.edits).items():
                self.stat_update(f"edits_{code}", value=n)
            self.stat_update("changed" if done.edits else "unchanged")
            if self.drop_empty and not done.text.strip():
                self.stat_update("dropped_empty")
                continue
            doc.text = done.text
            doc.metadata[NAMESPACE] = _findings(done, self.edits)
            self.update_doc_stats(doc)
            yield doc


class NearDuplicateFilter(BaseFilter):
    """Drop a document that is a near-duplicate of an earlier one of the same task (keep the first).

    The same signatures and verification as ``cleaner dedup`` (MinHash, LSH, Jaccard or
    containment; thresholds from ``settings``).  A dropped document's ``metadata`` names the kept
    one (``"cleaner": {"duplicate_of": ID, "similarity": ..., "containment": ...}``), which an
    ``exclusion_writer`` keeps.
    """

    name = "🫂 cleaner near-duplicates"

    def __init__(self, settings: Settings | None = None, exclusion_writer: Any = None) -> None:
        super().__init__(exclusion_writer)
        self.settings = settings or Settings()
        self._dedup: Any = None

    def run(self, data: Iterator[DatatroveDocument], rank: int = 0, world_size: int = 1) -> Iterator[DatatroveDocument]:
        """The task's documents, near-duplicates of earlier ones left out (one index per task run)."""
        from cleaner.dedup.cluster import Deduplicator

        s = self.settings
        self._dedup = Deduplicator(s.params, threshold=s.threshold, containment_threshold=s.containment)
        try:
            yield from super().run(data, rank, world_size)
        finally:
            self._dedup = None

    def filter(self, doc: DatatroveDocument) -> bool | tuple[bool, str]:
        """Keep ``doc`` unless it joins the cluster of an earlier document (then: why, and which one)."""
        dedup = self._dedup
        i = dedup.add_text(str(doc.id), doc.text)
        first = dedup.uf.find(i)  # the smallest member of its cluster: the first document seen
        if first == i:
            return True
        jac, cont = dedup.similarity(i, first)
        found = doc.metadata.setdefault(NAMESPACE, {})
        found.update(duplicate_of=dedup.ids[first], similarity=round(jac, 4), containment=round(cont, 4))
        return False, "near_duplicate"

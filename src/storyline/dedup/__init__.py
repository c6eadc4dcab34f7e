"""Wire-copy deduplication: exact fingerprints and MinHash LSH near-duplicate groups.

>>> from storyline.config import DedupSettings
>>> from storyline.model import Article
>>> deduper = MinHashDeduper(DedupSettings())
>>> deduper.add(Article(id="a", text="Storm closes the coast road. " * 20)).duplicate_group
'a'
"""

from storyline.dedup.index import DedupIndex, IndexedArticle, MemoryDedupIndex
from storyline.dedup.minhash import (
    DedupOutcome,
    MinHashDeduper,
    PreparedText,
    Signature,
    fingerprint,
    lsh_layout,
    normalize,
    words,
)

__all__ = [
    "DedupIndex",
    "DedupOutcome",
    "IndexedArticle",
    "MemoryDedupIndex",
    "MinHashDeduper",
    "PreparedText",
    "Signature",
    "fingerprint",
    "lsh_layout",
    "normalize",
    "words",
]

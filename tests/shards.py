"""A generated corpus of JSONL shards with near-duplicates planted across shards (for the engine tests)."""

from __future__ import annotations

import random
from pathlib import Path

import orjson

ARTICLES = sorted((Path(__file__).parent / "fixtures" / "articles").glob("*.txt"))
SITES = ("news.example.com", "daily.example.org", "wire.example.net")
#: Furniture each site repeats on its pages (CE001 removes it once the corpus is counted).
FOOTERS = {
    "news.example.com": "Home | World | Business | Sport",
    "daily.example.org": "Subscribe to the Daily Bulletin for the morning headlines",
    "wire.example.net": "Wire Service pages are updated around the clock",
}
JUNK = ("Advertisement", "Share this article", "Read More Markets brace for another volatile week")


def _copy(text: str, rng: random.Random) -> str:
    """A near-duplicate: re-scraped with other junk, cut short, or lightly edited."""
    lines = [ln for ln in text.splitlines() if rng.random() > 0.05]
    kind = rng.choice(("rescrape", "cut", "edit"))
    if kind == "rescrape":
        for _ in range(2):
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(JUNK))
    elif kind == "cut":
        lines = lines[: max(1, int(len(lines) * rng.uniform(0.7, 0.95)))]
    out = "\n".join(lines)
    if kind == "edit":
        words = out.split(" ")
        for _ in range(max(1, len(words) // 60)):
            words[rng.randrange(len(words))] = rng.choice(("also", "then", "still"))
        out = " ".join(words)
    return out


def make_shards(root: Path, shards: int = 20, per_shard: int = 6, seed: int = 14) -> list[Path]:
    """``shards`` JSONL files under ``root``; every fourth record copies a record of an earlier shard."""
    rng = random.Random(seed)
    texts = [p.read_text("utf-8") for p in ARTICLES]
    made: list[tuple[str, str]] = []  # (site, text) of the originals so far
    paths = []
    root.mkdir(parents=True, exist_ok=True)
    for s in range(shards):
        lines = []
        for k in range(per_shard):
            site = SITES[(s + k) % len(SITES)]
            if made and k % 4 == 3:
                src_site, src = rng.choice(made)
                text = _copy(src, rng)
                site = rng.choice((site, src_site))
            else:
                text = texts[(s * per_shard + k) % len(texts)]
                if (s * per_shard + k) >= len(texts):  # the article again, other words: not a copy
                    text = "\n".join(rng.sample(text.splitlines(), k=max(1, len(text.splitlines()) // 3)))
                made.append((site, text))
            page = f"{rng.choice(JUNK)}\n{text}\n{FOOTERS[site]}"
            record = {"id": f"s{s:02d}-{k}", "url": f"https://{site}/{s}/{k}", "text": page}
            lines.append(orjson.dumps(record) + b"\n")
        path = root / f"shard-{s:03d}.jsonl"
        path.write_bytes(b"".join(lines))
        paths.append(path)
    return paths

"""Near-duplicate stories: shingles, MinHash signatures, LSH candidates and verified clusters (:mod:`.minhash`)."""

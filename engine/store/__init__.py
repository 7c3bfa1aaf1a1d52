"""Storage adapters: the dense index (Qdrant), the keyword index (BM25) and index generations on disk."""

"""Steps for the pipelines people already run (each module needs its own optional extra)."""

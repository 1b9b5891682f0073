"""Use cases: compose store, secrets, Amazon and GLS clients. No textual here."""

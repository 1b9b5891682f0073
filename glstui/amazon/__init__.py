"""Everything glstui says to Amazon: consent hand-off, LWA tokens, Orders API, rate limits."""

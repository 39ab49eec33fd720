"""How much a draft keeps: items per list (within the schema's own caps) and characters per written field (the
grammar's bound on what the model writes). One place, because figures, writing, the strategies and the clean-up all
cut to them."""

LIMITS = {"figures": 12, "actors": 8, "claims": 6, "key_points": 4, "aftermath": 3, "related_events": 3}
TEXT_LIMITS = {"headline": 120, "claim": 200, "note": 200}

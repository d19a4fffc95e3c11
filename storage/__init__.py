"""Storage behind small interfaces: the state store (memory / Redis) and the case database (SQLAlchemy)."""

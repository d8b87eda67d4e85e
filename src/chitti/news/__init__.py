"""News: feeds, parsing, entities, sentiment and direction of Indian market news."""

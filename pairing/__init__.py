"""The registry: programmes, areas, schools, people and the pairings between them."""

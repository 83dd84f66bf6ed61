"""`crossdock diagram STACK --output FILE`: the architecture picture, laid out by Graphviz."""

# "Just for today."
debug_cidrs = ["0.0.0.0/0"]

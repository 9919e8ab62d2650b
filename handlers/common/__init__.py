"""What every feature may use: the domain's words, the answer options, and how to queue a push."""

// ChainETLExplorers

// ChainETLRunner

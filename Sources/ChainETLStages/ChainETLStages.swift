// ChainETLStages

// ChainETLSimulator

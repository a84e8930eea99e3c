// ChainETLPostgres

print("chainetl")

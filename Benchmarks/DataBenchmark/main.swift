import Datasets

// Placeholder; replaced by the data-loading benchmark.
print("data benchmark")

"""Benchmarks: figures from PRODUCT.md section 10, printed as ratios against baselines."""

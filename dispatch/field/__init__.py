"""The field: an engineer's day, check-ins and check-outs, the phones' day cache."""

"""The offline policy gate: evaluate the pack in-process, apply waivers, report."""

"""The pages bench/sweep.py opens: every page of the URL map without an argument, save those that
write, send files or answer the API."""

from bench.sweep import addresses


def test_the_sweep_takes_every_page_without_an_argument_and_leaves_out_writes_files_and_the_api():
    found = set(addresses())
    assert {"/", "/proposals/", "/supervision/followup/", "/reports/records/", "/public/suggestions/"} <= found
    assert not [a for a in found if a.startswith(("/admin/", "/api/")) or "logout" in a or "export" in a]
    assert not [a for a in found if "<" in a or "(?P" in a]

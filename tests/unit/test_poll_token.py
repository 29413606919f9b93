from shared.poll_token import make_token, token_is_valid

SECRET = b"s3cret"
TRACE = "0123456789abcdef0123456789abcdef"


def test_a_token_opens_its_own_session_until_it_expires():
    token = make_token(SECRET, TRACE, 1_000)
    assert token_is_valid(SECRET, TRACE, token, now=999)
    assert not token_is_valid(SECRET, TRACE, token, now=1_001)


def test_a_token_opens_no_other_session_and_resists_tampering():
    token = make_token(SECRET, TRACE, 1_000)
    assert not token_is_valid(SECRET, "f" * 32, token, now=0)
    assert not token_is_valid(b"other", TRACE, token, now=0)
    expiry, mac = token.split(".")
    assert not token_is_valid(SECRET, TRACE, f"{int(expiry) + 1000}.{mac}", now=0)
    for bad in ("", "AAAA", ".", "1000.", "x.y"):
        assert not token_is_valid(SECRET, TRACE, bad, now=0)

from shared.security.poll_token import make_token, new_nonce, token_is_valid

SECRET = b"s3cret"
TRACE = "0123456789abcdef0123456789abcdef"
NONCE = "nonce-of-this-session"


def test_a_token_opens_its_own_session_until_its_fixed_expiry():
    token = make_token(SECRET, TRACE, NONCE, 1_000)
    assert token_is_valid(SECRET, TRACE, token, 999, NONCE, 1_000)
    assert not token_is_valid(SECRET, TRACE, token, 1_001, NONCE, 1_000)


def test_a_token_opens_no_other_session_and_resists_tampering():
    token = make_token(SECRET, TRACE, NONCE, 1_000)
    assert not token_is_valid(SECRET, "f" * 32, token, 0, NONCE, 1_000)
    assert not token_is_valid(b"other", TRACE, token, 0, NONCE, 1_000)
    expiry, mac = token.split(".")
    assert not token_is_valid(SECRET, TRACE, f"{int(expiry) + 1000}.{mac}", 0, NONCE, 1_000)
    for bad in ("", "AAAA", ".", "1000.", "x.y"):
        assert not token_is_valid(SECRET, TRACE, bad, 0, NONCE, 1_000)


def test_a_later_session_under_the_same_trace_id_does_not_accept_an_earlier_token():
    earlier = make_token(SECRET, TRACE, NONCE, 1_000)
    assert not token_is_valid(SECRET, TRACE, earlier, 0, new_nonce(), 1_000)


def test_a_token_minted_with_a_later_expiry_than_the_session_s_is_refused():
    # the expiry is fixed when the session starts: a token cannot carry a longer one, even a well-signed one
    stretched = make_token(SECRET, TRACE, NONCE, 5_000)
    assert not token_is_valid(SECRET, TRACE, stretched, 0, NONCE, 1_000)


def test_without_a_nonce_nothing_is_valid():
    assert not token_is_valid(SECRET, TRACE, make_token(SECRET, TRACE, "", 1_000), 0, "", 1_000)

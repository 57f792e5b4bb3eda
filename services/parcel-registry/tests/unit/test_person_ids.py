from parcel_registry.adapters.person_ids import PersonIdVault
from parcel_registry.settings import DEV_PERSON_ID_KEYS, DEV_PERSON_REF_KEY

NUMBER = "11010519491231002X"
NEW_KEY = "bmV3LWtleS1mb3ItdGVzdGluZy1yb3RhdGlvbi0wMDA="


def test_id_numbers_are_encrypted_referenced_and_masked() -> None:
    vault = PersonIdVault(DEV_PERSON_ID_KEYS, DEV_PERSON_REF_KEY)
    protected = vault.protect(NUMBER.lower())
    assert NUMBER.encode() not in protected.ciphertext
    assert vault.reveal(protected.ciphertext) == NUMBER
    assert protected.masked == "110***********002X"
    assert protected.person_ref == vault.person_ref(NUMBER) and NUMBER not in protected.person_ref


def test_person_reference_depends_on_the_key() -> None:
    one = PersonIdVault(DEV_PERSON_ID_KEYS, "key-one")
    two = PersonIdVault(DEV_PERSON_ID_KEYS, "key-two")
    assert one.person_ref(NUMBER) != two.person_ref(NUMBER)


def test_rotated_keys_still_decrypt_old_ciphertexts() -> None:
    old = PersonIdVault(DEV_PERSON_ID_KEYS, DEV_PERSON_REF_KEY).protect(NUMBER).ciphertext
    rotated = PersonIdVault(f"{NEW_KEY},{DEV_PERSON_ID_KEYS}", DEV_PERSON_REF_KEY)
    assert rotated.reveal(old) == NUMBER

from parcel_registry.domain.enterprises import PersonRole, ResponsiblePerson

EXAMPLE = "11010519491231002X"


def test_responsible_person_repr_hides_the_number() -> None:
    person = ResponsiblePerson("张三", PersonRole.LEGAL_REPRESENTATIVE, EXAMPLE)
    assert EXAMPLE not in repr(person)
    assert "110***********002X" in repr(person)

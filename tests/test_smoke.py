def test_home_renders_in_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-Hans"' in response.get_data(as_text=True)


def test_login_and_compound_home(client, make, login):
    compound = make.compound()
    owner = make.person()
    make.member(owner, compound)
    login(owner)
    page = client.get(f"/c/{compound.slug}/").get_data(as_text=True)
    assert compound.name in page

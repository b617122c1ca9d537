import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_and_docs(anon_client):
    schema = anon_client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/wallets/", "/api/v1/sessions/{session_id}/transactions/", "/api/v1/health"):
        assert path in text
    docs = anon_client.get("/api/docs/")
    assert docs.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content.decode()
    assert "cdn.jsdelivr.net" not in docs.content.decode()


def test_metrics_route_exposes_our_metrics(anon_client, api):
    api.get("/api/v1/wallets/")
    body = anon_client.get("/metrics").content.decode()
    assert "django_http_requests_total_by_method_total" in body
    for name in ("mm_sessions_open", "mm_browsers_running", "mm_task_duration_seconds", "mm_db_connections"):
        assert name in body


def test_unknown_api_path_is_json_404(api):
    response = api.get("/api/v1/sessions/not-a-uuid/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_each_request_logs_one_access_line_with_user_id(api, user, json_log):
    import json

    response = api.get("/api/v1/wallets/")
    [line] = [json.loads(x) for x in json_log.getvalue().splitlines() if '"http_request"' in x]
    assert (line["status_code"], line["path"], line["method"]) == (200, "/api/v1/wallets/", "GET")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == str(user.pk)
    assert line["component"] == "api"


def test_metamask_extension_info_names_the_loaded_build(anon_client):
    from wallets import metrics

    metrics.metamask_extension_loaded("13.5.0")
    assert 'mm_metamask_extension_info{version="13.5.0"} 1.0' in anon_client.get("/metrics").content.decode()
    # The extension folder replaced under a running worker: the old build no longer counts as loaded.
    metrics.metamask_extension_loaded("13.36.0.0")
    body = anon_client.get("/metrics").content.decode()
    assert 'mm_metamask_extension_info{version="13.36.0.0"} 1.0' in body
    assert 'mm_metamask_extension_info{version="13.5.0"} 0.0' in body

from tests.api.conftest import body
from tests.conftest import beijing


def test_today_is_closed_with_no_periods(api, travel):
    travel(beijing(2026, 12, 1))
    response = api.get("/api/today")
    assert response.status_code == 200
    assert body(response) == {"date": "2026-12-01", "mode": "closed", "period": None}


def test_create_period_then_today_is_register(api, travel):
    travel(beijing(2026, 12, 1))
    created = api.staff(
        "POST",
        "/api/admin/periods",
        {
            "name": "2026年12月",
            "exam_date": "2026-12-18",
            "exam_start": "09:00",
            "exam_end": "11:00",
            "notes": "开卷",
        },
    )
    assert created.status_code == 201, created.body
    assert body(api.get("/api/today"))["mode"] == "register"

"""The in-process Bot API of the console, the tests and the benchmarks."""

from telegram.request import RequestData

from assistant.tg.offline import OfflineRequest


async def test_a_stand_in_api_told_not_to_keep_calls_answers_them_and_keeps_none() -> None:
    kept, forgetful = OfflineRequest(), OfflineRequest(keep=False)
    for api in (kept, forgetful):
        data = RequestData([])
        status, body = await api.do_request("https://x/bot1/sendMessage", "POST", data)
        assert status == 200 and b'"ok": true' in body
    assert [call.method for call in kept.calls] == ["sendMessage"]
    assert forgetful.calls == []

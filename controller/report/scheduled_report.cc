#include "controller/report/scheduled_report.h"

#include <capnp/message.h>

#include <stdexcept>
#include <string>

namespace tidemark::controller {

cli::AdminCall inProcessAdminCall(const AdminHandler& handler) {
  return [&handler](const std::function<void(schema::AdminRequest::Builder)>& fill,
                    const std::function<void(schema::AdminResponse::Reader)>& read) {
    capnp::MallocMessageBuilder request_message;
    auto request = request_message.initRoot<schema::AdminRequest>();
    fill(request);
    capnp::MallocMessageBuilder response_message;
    auto response = response_message.initRoot<schema::AdminResponse>();
    handler.handle(request.asReader(), response);
    if (response.isError()) throw std::runtime_error(response.getError().cStr());
    read(response.asReader());
  };
}

ReportBuildFunction scheduledReportBuilder(AdminHandler handler) {
  return [handler = std::move(handler)](int64_t since_ms, int64_t now_ms) {
    return cli::collectReport(inProcessAdminCall(handler), since_ms, now_ms, nullptr);
  };
}

}  // namespace tidemark::controller

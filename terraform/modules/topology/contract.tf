# What the code serves. The test suite (test/infra) reads these literals and compares them with
# the zod config defaults and the route files, so a change on either side fails `npm test`.
locals {
  service = {
    gateway = {
      port           = 8080
      liveness_path  = "/healthz"
      readiness_path = "/readyz"
      metrics_path   = "/metrics"
    }
    node = {
      port           = 8081
      liveness_path  = "/healthz"
      readiness_path = "/readyz"
      metrics_path   = "/metrics"
    }
    audio = {
      # GET /v1/audio/{key}.{ext}?exp=&sig= is the only cacheable route.
      path_prefix = "/v1/audio/"
      # POST /v1/audio/speech shares the prefix and must never reach a CDN-enabled backend.
      synthesis_path = "/v1/audio/speech"
    }
    # The node histogram the autoscalers follow (HPA through prometheus-adapter, MIG, ASG).
    queue_wait_metric = "tts_queue_wait_seconds"
  }
}

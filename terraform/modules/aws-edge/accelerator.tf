# Anycast entry: two static IPs; one endpoint group per region, each with the region's
# traffic dial (0 when drained) and the gateway readiness route as its health check.

resource "aws_globalaccelerator_accelerator" "this" {
  name            = "${var.name_prefix}-api"
  ip_address_type = "IPV4"
  enabled         = true
}

resource "aws_globalaccelerator_listener" "https" {
  accelerator_arn = aws_globalaccelerator_accelerator.this.id
  protocol        = "TCP"
  client_affinity = "NONE"

  port_range {
    from_port = 443
    to_port   = 443
  }
}

resource "aws_globalaccelerator_endpoint_group" "region" {
  for_each = var.gateway_albs

  listener_arn            = aws_globalaccelerator_listener.https.id
  endpoint_group_region   = var.regions[each.key].location
  traffic_dial_percentage = var.regions[each.key].traffic.traffic_dial_percentage
  # ALB endpoints are judged by the ALB's own target health (gateway readiness); these apply
  # if an endpoint is ever an instance or an Elastic IP.
  health_check_protocol         = "HTTPS"
  health_check_path             = var.service.gateway.readiness_path
  health_check_interval_seconds = 10
  threshold_count               = 3

  endpoint_configuration {
    endpoint_id                    = each.value
    weight                         = 128
    client_ip_preservation_enabled = true
  }
}

# One region's gateways: an Auto Scaling group behind an internal ALB that Global
# Accelerator sends the region's share of anycast traffic to.

locals {
  gateway_env = {
    port             = var.service.gateway.port
    aws_region       = var.region.location
    regions_json     = var.gateway_regions_json
    redis_url        = var.redis_url
    jwks_url         = var.auth.jwks_url
    issuer           = var.auth.issuer
    audience         = var.auth.audience
    log_level        = var.log_level
    secret_parameter = var.internal_auth_secret_parameter
    gateway_image    = var.gateway_image
    # AUDIO_STORE=s3 only; redis leaves the boot script as it was (the gateway's auto store is Redis).
    audio_store         = var.audio_store_s3 == null ? "redis" : "s3"
    s3_bucket           = local.s3.bucket
    s3_region           = local.s3.region
    s3_prefix           = local.s3.prefix
    s3_access_key_id    = local.s3.access_key_id
    s3_secret_parameter = local.s3.secret_parameter
  }

  # The template needs every variable, so redis gets empty stand-ins.
  s3 = var.audio_store_s3 != null ? var.audio_store_s3 : {
    bucket = "", region = "", prefix = "", access_key_id = "", secret_parameter = ""
  }
  ssm_parameters = concat(
    [var.internal_auth_secret_parameter],
    var.audio_store_s3 == null ? [] : [var.audio_store_s3.secret_parameter],
  )
}

data "aws_ssm_parameter" "ami" {
  region = var.region.location
  name   = var.ami_parameter
}

data "aws_iam_policy_document" "assume_ec2" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "gateway" {
  statement {
    actions   = ["ssm:GetParameter"]
    resources = [for p in local.ssm_parameters : "arn:aws:ssm:${var.region.location}:*:parameter/${trimprefix(p, "/")}"]
  }
}

resource "aws_iam_role" "gateway" {
  name               = "${var.region.names.gateway_group}-role"
  assume_role_policy = data.aws_iam_policy_document.assume_ec2.json
}

resource "aws_iam_role_policy" "gateway" {
  name   = "speechgate-gateway"
  role   = aws_iam_role.gateway.id
  policy = data.aws_iam_policy_document.gateway.json
}

resource "aws_iam_role_policy_attachment" "gateway" {
  for_each = toset([
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
  ])
  role       = aws_iam_role.gateway.name
  policy_arn = each.value
}

resource "aws_iam_instance_profile" "gateway" {
  name = "${var.region.names.gateway_group}-profile"
  role = aws_iam_role.gateway.name
}

resource "aws_security_group" "alb" {
  region      = var.region.location
  name        = "${var.region.names.gateway_lb}-sg"
  description = "Speechgate ALB: HTTPS from Global Accelerator (client IPs preserved)"
  vpc_id      = var.network.vpc_id

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = var.service.gateway.port
    to_port     = var.service.gateway.port
    protocol    = "tcp"
    cidr_blocks = [var.network.vpc_cidr]
  }
}

resource "aws_security_group" "gateway" {
  region      = var.region.location
  name        = "${var.region.names.gateway_group}-sg"
  description = "Speechgate gateways: gateway port from the ALB"
  vpc_id      = var.network.vpc_id

  ingress {
    from_port       = var.service.gateway.port
    to_port         = var.service.gateway.port
    protocol        = "tcp"
    security_groups = [aws_security_group.alb.id]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_lb" "gateway" {
  region             = var.region.location
  name               = var.region.names.gateway_lb
  internal           = true
  load_balancer_type = "application"
  subnets            = var.network.private_subnet_ids
  security_groups    = [aws_security_group.alb.id]
  idle_timeout       = 120
}

resource "aws_lb_target_group" "gateway" {
  region               = var.region.location
  name                 = var.region.names.gateway_tg
  port                 = var.service.gateway.port
  protocol             = "HTTP"
  vpc_id               = var.network.vpc_id
  deregistration_delay = 30

  health_check {
    protocol            = "HTTP"
    port                = tostring(var.service.gateway.port)
    path                = var.service.gateway.readiness_path
    matcher             = "200"
    interval            = 10
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

resource "aws_lb_listener" "https" {
  region            = var.region.location
  load_balancer_arn = aws_lb.gateway.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.gateway.arn
  }
}

# Keeps the Prometheus endpoint off the internet.
resource "aws_lb_listener_rule" "hide_metrics" {
  region       = var.region.location
  listener_arn = aws_lb_listener.https.arn
  priority     = 10

  action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "not found"
      status_code  = "404"
    }
  }

  condition {
    path_pattern {
      values = [var.service.gateway.metrics_path]
    }
  }
}

resource "aws_launch_template" "gateway" {
  region                 = var.region.location
  name_prefix            = "${var.region.names.gateway_group}-"
  image_id               = data.aws_ssm_parameter.ami.value
  instance_type          = var.region.gateway.machine_type
  vpc_security_group_ids = [aws_security_group.gateway.id]
  user_data              = base64encode(templatefile("${path.module}/templates/gateway-user-data.sh.tftpl", local.gateway_env))

  iam_instance_profile {
    arn = aws_iam_instance_profile.gateway.arn
  }

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = var.region.names.gateway_group, app = "speechgate", component = "gateway", region = var.region.name }
  }
}

resource "aws_autoscaling_group" "gateway" {
  region                    = var.region.location
  name                      = var.region.names.gateway_group
  min_size                  = var.region.gateway.min
  max_size                  = var.region.gateway.max
  vpc_zone_identifier       = var.network.private_subnet_ids
  target_group_arns         = [aws_lb_target_group.gateway.arn]
  health_check_type         = "ELB"
  health_check_grace_period = 120

  launch_template {
    id      = aws_launch_template.gateway.id
    version = aws_launch_template.gateway.latest_version
  }

  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 100
      max_healthy_percentage = 200
    }
  }

  tag {
    key                 = "Name"
    value               = var.region.names.gateway_group
    propagate_at_launch = true
  }

  lifecycle {
    ignore_changes = [desired_capacity]
  }
}

resource "aws_autoscaling_policy" "gateway_cpu" {
  region                 = var.region.location
  name                   = "${var.region.names.gateway_group}-cpu"
  autoscaling_group_name = aws_autoscaling_group.gateway.name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    target_value = 60
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
  }
}

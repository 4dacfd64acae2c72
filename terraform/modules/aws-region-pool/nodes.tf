# The region's GPU node pool: one Auto Scaling group (g6/g5) behind an internal NLB,
# target-tracking the mean of tts_queue_wait_seconds that the collector ships to CloudWatch.

locals {
  metric_namespace = "Speechgate"
  node_env = {
    port             = var.service.node.port
    region           = var.region.name
    aws_region       = var.region.location
    redis_url        = local.redis_url
    log_level        = var.log_level
    otlp             = "http://127.0.0.1:4318"
    secret_parameter = var.internal_auth_secret_parameter
    node_image       = var.node_image
    voices_uri       = var.voices_uri
    collector        = var.collector_image
    collector_config = templatefile("${path.module}/templates/collector.yaml.tftpl", {
      port        = var.service.node.port
      aws_region  = var.region.location
      namespace   = local.metric_namespace
      asg_name    = var.region.names.node_pool
      metric_name = var.service.queue_wait_metric
    })
  }
}

data "aws_ssm_parameter" "gpu_ami" {
  region = var.region.location
  name   = var.gpu_ami_parameter
}

resource "aws_security_group" "node" {
  region      = var.region.location
  name        = "${var.region.names.node_pool}-sg"
  description = "Speechgate nodes: node port from gateways and the NLB"
  vpc_id      = var.network.vpc_id

  ingress {
    description = "gateways in every region, NLB health checks"
    from_port   = var.service.node.port
    to_port     = var.service.node.port
    protocol    = "tcp"
    cidr_blocks = distinct(concat([var.network.vpc_cidr], var.gateway_cidrs))
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_launch_template" "node" {
  region                 = var.region.location
  name_prefix            = "${var.region.names.node_pool}-"
  image_id               = data.aws_ssm_parameter.gpu_ami.value
  instance_type          = var.region.gpu.machine_type
  vpc_security_group_ids = [aws_security_group.node.id]
  user_data              = base64encode(templatefile("${path.module}/templates/node-user-data.sh.tftpl", local.node_env))

  iam_instance_profile {
    arn = aws_iam_instance_profile.node.arn
  }

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  block_device_mappings {
    device_name = "/dev/sda1"
    ebs {
      volume_size = 100
      volume_type = "gp3"
      encrypted   = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = var.region.names.node_pool, app = "speechgate", component = "node", region = var.region.name }
  }
}

resource "aws_lb" "node" {
  region                           = var.region.location
  name                             = var.region.names.node_lb
  internal                         = true
  load_balancer_type               = "network"
  subnets                          = var.network.private_subnet_ids
  enable_cross_zone_load_balancing = true
}

resource "aws_lb_target_group" "node" {
  region               = var.region.location
  name                 = var.region.names.node_tg
  port                 = var.service.node.port
  protocol             = "TCP"
  vpc_id               = var.network.vpc_id
  target_type          = "instance"
  deregistration_delay = 60

  # Traffic only once the voices are loaded and warm.
  health_check {
    protocol            = "HTTP"
    port                = tostring(var.service.node.port)
    path                = var.service.node.readiness_path
    matcher             = "200"
    interval            = 10
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
}

resource "aws_lb_listener" "node" {
  region            = var.region.location
  load_balancer_arn = aws_lb.node.arn
  port              = var.service.node.port
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.node.arn
  }
}

resource "aws_autoscaling_group" "node" {
  region                    = var.region.location
  name                      = var.region.names.node_pool
  min_size                  = var.region.gpu.min_nodes
  max_size                  = var.region.gpu.max_nodes
  vpc_zone_identifier       = var.network.private_subnet_ids
  target_group_arns         = [aws_lb_target_group.node.arn]
  health_check_type         = "ELB"
  health_check_grace_period = var.node_startup_seconds
  default_instance_warmup   = var.node_startup_seconds

  launch_template {
    id      = aws_launch_template.node.id
    version = aws_launch_template.node.latest_version
  }

  # Surge-first rolls, so a new voice or image never lowers capacity.
  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 100
      max_healthy_percentage = 200
      instance_warmup        = var.node_startup_seconds
    }
  }

  tag {
    key                 = "Name"
    value               = var.region.names.node_pool
    propagate_at_launch = true
  }

  lifecycle {
    ignore_changes = [desired_capacity]
  }
}

resource "aws_autoscaling_policy" "node_queue_wait" {
  region                    = var.region.location
  name                      = "${var.region.names.node_pool}-queue-wait"
  autoscaling_group_name    = aws_autoscaling_group.node.name
  policy_type               = "TargetTrackingScaling"
  estimated_instance_warmup = var.node_startup_seconds

  target_tracking_configuration {
    target_value = var.region.gpu.target_queue_s

    customized_metric_specification {
      namespace   = local.metric_namespace
      metric_name = var.service.queue_wait_metric
      statistic   = "Average"
      unit        = "Seconds"

      metric_dimension {
        name  = "AutoScalingGroupName"
        value = aws_autoscaling_group.node.name
      }
    }
  }
}

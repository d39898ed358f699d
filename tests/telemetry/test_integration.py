import pytest
import asyncio
from unittest.mock import patch, MagicMock
from pynector.telemetry import get_telemetry, configure_telemetry


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "has_opentelemetry,has_structlog", [(True, True), (True, False), (False, True), (False, False)]
)
async def test_telemetry_integration(has_opentelemetry, has_structlog):
    """Test that all telemetry components work together correctly."""
    # Mock dependencies availability
    with (
        patch("pynector.telemetry.HAS_OPENTELEMETRY", has_opentelemetry),
        patch("pynector.telemetry.facade.HAS_OPENTELEMETRY", has_opentelemetry),
        patch("pynector.telemetry.context.HAS_OPENTELEMETRY", has_opentelemetry),
        patch("pynector.telemetry.config.HAS_OPENTELEMETRY", has_opentelemetry),
        patch("pynector.telemetry.HAS_STRUCTLOG", has_structlog),
        patch("pynector.telemetry.facade.HAS_STRUCTLOG", has_structlog),
        patch("pynector.telemetry.config.HAS_STRUCTLOG", has_structlog),
    ):
        # Configure telemetry
        configure_telemetry(service_name="test-service")

        # Get tracer and logger
        tracer, logger = get_telemetry("test-module")

        # Test synchronous tracing
        with tracer.start_as_current_span("test-span", {"key": "value"}) as span:
            # Log with structured data
            logger.info("test-event", data="test-data")

            # Set span attribute
            span.set_attribute("result", "success")

        # Test asynchronous tracing
        async with tracer.start_as_current_async_span("test-async-span") as span:
            # Log with structured data
            logger.info("test-async-event", data="test-async-data")

            # Set span attribute
            span.set_attribute("async-result", "success")

            # Test error handling
            try:
                raise ValueError("Test error")
            except ValueError as e:
                logger.error("test-error", error=str(e))
                span.record_exception(e)

        # Test context propagation
        from pynector.telemetry.context import traced_async_operation, traced_gather

        async def test_operation():
            return "success"

        async with traced_async_operation(tracer, "test-operation") as span:
            result = await test_operation()
            span.set_attribute("operation-result", result)

        # Test parallel operations
        async def operation1():
            return "result1"

        async def operation2():
            return "result2"

        results = await traced_gather(tracer, [operation1(), operation2()], "parallel-operations")
        assert results == ["result1", "result2"]

import pytest
import sys
from unittest.mock import patch, MagicMock

# Adapted from the seed: the True cases patch attributes of the real
# opentelemetry / structlog modules (e.g. ``facade.trace.get_tracer``), which
# only exist where the package is installed; in the no-dependency
# configuration they are skipped (section 6.1 runs both configurations).
WITH_OTEL = [pytest.param(True, marks=pytest.mark.requires_otel), False]
WITH_STRUCTLOG = [pytest.param(True, marks=pytest.mark.requires_structlog), False]


# Tests with OpenTelemetry available
@pytest.mark.parametrize("has_opentelemetry", WITH_OTEL)
def test_tracing_facade_init(has_opentelemetry):
    """Test TracingFacade initialization."""
    # Mock OpenTelemetry availability
    with patch("pynector.telemetry.facade.HAS_OPENTELEMETRY", has_opentelemetry):
        if has_opentelemetry:
            # Mock the trace module
            mock_tracer = MagicMock()
            mock_get_tracer = MagicMock(return_value=mock_tracer)
            with patch("pynector.telemetry.facade.trace.get_tracer", mock_get_tracer):
                from pynector.telemetry.facade import TracingFacade

                tracer = TracingFacade("test_tracer")

                assert tracer.name == "test_tracer"
                assert tracer.tracer == mock_tracer
                mock_get_tracer.assert_called_once_with("test_tracer")
        else:
            from pynector.telemetry.facade import TracingFacade

            tracer = TracingFacade("test_tracer")

            assert tracer.name == "test_tracer"
            assert tracer.tracer is None


@pytest.mark.parametrize("has_opentelemetry", WITH_OTEL)
def test_tracing_facade_start_span(has_opentelemetry):
    """Test TracingFacade.start_span."""
    # Mock OpenTelemetry availability
    with patch("pynector.telemetry.facade.HAS_OPENTELEMETRY", has_opentelemetry):
        if has_opentelemetry:
            # Mock the trace module
            mock_span = MagicMock()
            mock_tracer = MagicMock()
            mock_tracer.start_span.return_value = mock_span
            mock_get_tracer = MagicMock(return_value=mock_tracer)
            with patch("pynector.telemetry.facade.trace.get_tracer", mock_get_tracer):
                from pynector.telemetry.facade import TracingFacade

                tracer = TracingFacade("test_tracer")

                span = tracer.start_span("test_span", {"key": "value"})

                assert span == mock_span
                mock_tracer.start_span.assert_called_once_with(
                    "test_span", attributes={"key": "value"}
                )
        else:
            from pynector.telemetry.facade import TracingFacade
            from pynector.telemetry.tracing import NoOpSpan

            tracer = TracingFacade("test_tracer")

            span = tracer.start_span("test_span", {"key": "value"})

            assert isinstance(span, NoOpSpan)
            assert span.name == "test_span"
            assert span.attributes == {"key": "value"}


@pytest.mark.parametrize("has_opentelemetry", WITH_OTEL)
def test_tracing_facade_start_as_current_span(has_opentelemetry):
    """Test TracingFacade.start_as_current_span."""
    # Mock OpenTelemetry availability
    with patch("pynector.telemetry.facade.HAS_OPENTELEMETRY", has_opentelemetry):
        if has_opentelemetry:
            # Mock the trace module
            mock_span = MagicMock()
            mock_tracer = MagicMock()
            mock_tracer.start_as_current_span.return_value = mock_span
            mock_get_tracer = MagicMock(return_value=mock_tracer)
            with patch("pynector.telemetry.facade.trace.get_tracer", mock_get_tracer):
                from pynector.telemetry.facade import TracingFacade

                tracer = TracingFacade("test_tracer")

                span = tracer.start_as_current_span("test_span", {"key": "value"})

                assert span == mock_span
                mock_tracer.start_as_current_span.assert_called_once_with(
                    "test_span", attributes={"key": "value"}
                )
        else:
            from pynector.telemetry.facade import TracingFacade
            from pynector.telemetry.tracing import NoOpSpan

            tracer = TracingFacade("test_tracer")

            span = tracer.start_as_current_span("test_span", {"key": "value"})

            assert isinstance(span, NoOpSpan)
            assert span.name == "test_span"
            assert span.attributes == {"key": "value"}


@pytest.mark.asyncio
@pytest.mark.parametrize("has_opentelemetry", WITH_OTEL)
async def test_tracing_facade_start_async_span(has_opentelemetry):
    """Test TracingFacade.start_async_span."""
    # Mock OpenTelemetry availability
    with patch("pynector.telemetry.facade.HAS_OPENTELEMETRY", has_opentelemetry):
        if has_opentelemetry:
            # Mock the trace module
            mock_span = MagicMock()
            mock_tracer = MagicMock()
            mock_tracer.start_span.return_value = mock_span
            mock_get_tracer = MagicMock(return_value=mock_tracer)
            with patch("pynector.telemetry.facade.trace.get_tracer", mock_get_tracer):
                from pynector.telemetry.facade import TracingFacade
                from pynector.telemetry.tracing import AsyncSpanWrapper

                tracer = TracingFacade("test_tracer")

                span_wrapper = await tracer.start_async_span("test_span", {"key": "value"})

                assert isinstance(span_wrapper, AsyncSpanWrapper)
                assert span_wrapper.span == mock_span
                mock_tracer.start_span.assert_called_once_with(
                    "test_span", attributes={"key": "value"}
                )
        else:
            from pynector.telemetry.facade import TracingFacade
            from pynector.telemetry.tracing import NoOpSpan

            tracer = TracingFacade("test_tracer")

            span = await tracer.start_async_span("test_span", {"key": "value"})

            assert isinstance(span, NoOpSpan)
            assert span.name == "test_span"
            assert span.attributes == {"key": "value"}


@pytest.mark.parametrize("has_structlog", WITH_STRUCTLOG)
def test_logging_facade_init(has_structlog):
    """Test LoggingFacade initialization."""
    # Mock structlog availability
    with patch("pynector.telemetry.facade.HAS_STRUCTLOG", has_structlog):
        if has_structlog:
            # Mock the structlog module
            mock_logger = MagicMock()
            mock_get_logger = MagicMock(return_value=mock_logger)
            with patch("pynector.telemetry.facade.structlog.get_logger", mock_get_logger):
                from pynector.telemetry.facade import LoggingFacade

                logger = LoggingFacade("test_logger")

                assert logger.name == "test_logger"
                assert logger.logger == mock_logger
                mock_get_logger.assert_called_once_with("test_logger")
        else:
            from pynector.telemetry.facade import LoggingFacade
            from pynector.telemetry.logging import NoOpLogger

            logger = LoggingFacade("test_logger")

            assert logger.name == "test_logger"
            assert isinstance(logger.logger, NoOpLogger)

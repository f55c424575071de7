# cfncheck in a container, for CI systems that run steps in images (GitLab CI, Jenkins, Azure
# DevOps container jobs, CodeBuild): a small Python base, the wheel built from this checkout and
# nothing else of it, a user that is not root, and cfncheck as the entrypoint. The templates are
# mounted read-only: cfncheck never writes to what it reads.
#
#   docker build -t cfncheck .
#   docker run --rm -v "$PWD:/templates:ro" cfncheck templates/
#
# tests/test_container.py checks the rules above without building the image.
ARG PYTHON_IMAGE=python:3.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY cfncheck ./cfncheck
COPY checks ./checks
RUN python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="cfncheck" \
      org.opencontainers.image.description="A static analyzer for AWS CloudFormation templates" \
      org.opencontainers.image.source="https://github.com/cfncheck/cfncheck" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin cfncheck
USER 10001:10001
WORKDIR /templates
ENTRYPOINT ["cfncheck"]
CMD ["."]

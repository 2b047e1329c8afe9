# Sandtrap API image (used by docker-compose.yml): build with the whole workspace, run without
# dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm ci && npx tsc -b

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src /app
RUN npm prune --omit=dev && mkdir -p /var/lib/sandtrap && chown node:node /var/lib/sandtrap
USER node
EXPOSE 8080
CMD ["node", "apps/api/dist/main.js"]

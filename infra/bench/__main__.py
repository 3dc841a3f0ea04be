from infra.bench.runner import main

main()

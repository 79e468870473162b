from devportal_cli.main import main

main()
